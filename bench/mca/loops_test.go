package main

import "testing"

// dis builds instructions from GNU-syntax lines at consecutive addresses.
func dis(lines ...string) []inst {
	out := make([]inst, len(lines))
	for i, l := range lines {
		out[i] = inst{uint64(0x100 + 4*i), l}
	}
	return out
}

func TestMeasure(t *testing.T) {
	w := measure(dis(
		"vmovaps\t(%r13), %zmm24",                  // 64 B
		"vbroadcastss\t(%r9), %zmm26",              // 4 B
		"vfmadd231ps\t%zmm24, %zmm26, %zmm0",       // 32 flop
		"vfmadd231ps\t(%r9){1to16}, %zmm12, %zmm1", // 4 B, 32 flop
		"vfmadd231ps\t0x20(%rcx), %ymm8, %ymm1",    // 32 B, 16 flop
		"vsubps\t(%rdx), %zmm8, %zmm8 {%k1} {z}",   // 64 B
		"vmovups\t%zmm8, (%rax) {%k1}",             // a store
		"addq\t$0x100, %rax",
	))
	if w.flop != 32+32+16 || w.loadBytes != 64+4+4+32+64 || w.streams {
		t.Errorf("measure = %+v, want 80 flop, 168 bytes loaded, no streaming", w)
	}
}

func TestMainLoop(t *testing.T) {
	insts := dis(
		"vmovups\t(%rcx), %zmm8", // 0x100: streaming loop, two FMAs
		"vfmadd231ps\t%zmm8, %zmm8, %zmm0",
		"vfmadd231ps\t%zmm8, %zmm8, %zmm1",
		"vmovntps\t%zmm8, (%rax)",
		"jmp\t0x100 <f+0x0>",
		"vmovups\t(%rcx), %zmm8", // 0x114: cached loop, one FMA
		"vfmadd231ps\t%zmm8, %zmm8, %zmm0",
		"vmovups\t%zmm8, (%rax)",
		"jb\t0x114 <f+0x14>",
		"ret",
	)
	if got := innermost(insts); len(got) != 2 {
		t.Fatalf("innermost = %v, want 2 loops", got)
	}
	r, ok := mainLoop(insts)
	if !ok || r != (span{5, 8}) {
		t.Errorf("mainLoop = %v %v, want the loop without non-temporal stores, {5 8}", r, ok)
	}
	if src := source(insts[r.from : r.to+1]); src[len(src)-len("jb .Lloop\n"):] != "jb .Lloop\n" {
		t.Errorf("source ends %q, want the branch to .Lloop", src)
	}
}
