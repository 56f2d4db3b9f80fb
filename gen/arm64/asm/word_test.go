package asm

import (
	"encoding/binary"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// decode returns the GNU spelling golang.org/x/arch gives the word.
func decode(t *testing.T, bits uint32) string {
	t.Helper()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], bits)
	inst, err := arm64asm.Decode(b[:])
	if err != nil {
		t.Fatalf("%#08x does not decode: %v", bits, err)
	}
	return arm64asm.GNUSyntax(inst)
}

// checkWord fails unless w decodes to exactly its comment.
func checkWord(t *testing.T, w Word, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(t, w.Bits); got != w.GNU {
		t.Fatalf("%#08x decodes as %q, the comment says %q", w.Bits, got, w.GNU)
	}
}

// TestWordsDecode encodes every instruction the emitter writes as a WORD, for
// every register in every field, every lane and both float32 arrangements,
// and checks the disassembler reads back what the comment says.
func TestWordsDecode(t *testing.T) {
	three := map[string]func(m, n, d Vec) (Word, error){
		"fadd": EncodeFADD, "fsub": EncodeFSUB, "fmul": EncodeFMUL, "fdiv": EncodeFDIV, "faddp": EncodeFADDP,
	}
	elem := map[string]func(m Lane, n, d Vec) (Word, error){
		"fmla": EncodeFMLAElem, "fmul": EncodeFMULElem,
	}
	count := 0
	for _, a := range []Arrangement{S4, S2} {
		for d := VReg(0); d < 32; d++ {
			for n := VReg(0); n < 32; n++ {
				for m := VReg(0); m < 32; m++ {
					for _, enc := range three {
						w, err := enc(Vec{m, a}, Vec{n, a}, Vec{d, a})
						checkWord(t, w, err)
						count++
					}
					for _, enc := range elem {
						for i := 0; i < 4; i++ {
							w, err := enc(m.S(i), Vec{n, a}, Vec{d, a})
							checkWord(t, w, err)
							count++
						}
					}
				}
			}
		}
	}
	for d := VReg(0); d < 32; d++ {
		for n := VReg(0); n < 32; n++ {
			w, err := EncodeFADDPScalar(n.S2(), d.F())
			checkWord(t, w, err)
			count++
		}
	}
	regs := []Reg{R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13, R14, R15, R16, R17, R19, R20, R21, R22, R23, R24, R25, R26}
	for op := range prefetchNames {
		for _, n := range regs {
			for _, m := range regs {
				w, err := EncodePRFMReg(op, n, m)
				checkWord(t, w, err)
				count++
			}
		}
	}
	for _, n := range regs {
		for q := VReg(0); q < 32; q++ {
			for off := -256; off < 256; off++ {
				w, err := EncodeLDURQ(n, off, q)
				checkWord(t, w, err)
				count++
			}
		}
	}
	t.Logf("%d words decoded", count)
}

// TestWordsKnown pins a few encodings to values published elsewhere (Go's own
// assembler output for VFMLA, and words seen in public arm64 code), so that
// the encoder and the decoder cannot agree on a mistake.
func TestWordsKnown(t *testing.T) {
	for _, tc := range []struct {
		w    Word
		bits uint32
	}{
		{must(EncodeFADDP(V(0).S4(), V(0).S4(), V(0).S4())), 0x6E20D400},
		{must(EncodeFADDPScalar(V(0).S2(), V(0).F())), 0x7E30D800},
		// llvm-mc -triple=aarch64 -show-encoding
		{must(EncodePRFMReg(PLDL1KEEP, R17, R9)), 0xF8A96A20},
		{must(EncodePRFMReg(PLDL1KEEP, R26, R25)), 0xF8B96B40},
		// The operation is Rt: pldl2keep is 2 (llvm-mc agrees).
		{must(EncodePRFMReg(PLDL2KEEP, R17, R9)), 0xF8A96A22},
		// ldur q1, [x2, #16] and ldur q31, [x26, #-256] (llvm-mc).
		{must(EncodeLDURQ(R2, 16, V(1))), 0x3CC10041},
		{must(EncodeLDURQ(R26, -256, V(31))), 0x3CD0035F},
		// fdiv v0.4s, v1.4s, v2.4s (llvm-mc).
		{must(EncodeFDIV(V(2).S4(), V(1).S4(), V(0).S4())), 0x6E22FC20},
	} {
		if tc.w.Bits != tc.bits {
			t.Errorf("%s = %#08x, want %#08x", tc.w.GNU, tc.w.Bits, tc.bits)
		}
	}
	// fmla v3.4s, v2.4s, v1.4s is 0x4E21CC43 (Go's VFMLA V1.S4, V2.S4, V3.S4):
	// fadd differs from it only in the opcode bits, so check the fields line up.
	got, _ := EncodeFADD(V(1).S4(), V(2).S4(), V(3).S4())
	if got.Bits&0x001F03FF != 0x4E21CC43&0x001F03FF {
		t.Errorf("fadd v3.4s, v2.4s, v1.4s register fields %#08x, want those of %#08x", got.Bits, 0x4E21CC43)
	}
}

func must(w Word, err error) Word {
	if err != nil {
		panic(err)
	}
	return w
}

// TestWordsReject checks the encoders refuse what they cannot encode.
func TestWordsReject(t *testing.T) {
	if _, err := EncodeFADD(V(1).S4(), V(2).S2(), V(3).S4()); err == nil {
		t.Error("fadd with mixed arrangements encoded")
	}
	if _, err := EncodeFMUL(V(1).D2(), V(2).D2(), V(3).D2()); err == nil {
		t.Error("fmul .2d encoded as a float32 instruction")
	}
	if _, err := EncodeFMLAElem(V(1).D(0), V(2).S4(), V(3).S4()); err == nil {
		t.Error("fmla by a 64-bit lane encoded")
	}
	if _, err := EncodeFADDPScalar(V(1).S4(), V(2).F()); err == nil {
		t.Error("scalar faddp of .4s encoded")
	}
	if _, err := EncodeLDURQ(R1, 256, V(0)); err == nil {
		t.Error("ldur with an offset of 256 encoded")
	}
	if _, err := EncodePRFMReg(Prefetch(5), R1, R2); err == nil {
		t.Error("prfm with an operation the emitter does not name encoded")
	}
}
