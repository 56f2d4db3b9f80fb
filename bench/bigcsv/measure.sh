#!/bin/sh
# Times edgefit train and pandas + scikit-learn on the same file, alternating,
# RUNS times each, and prints every run and the medians: wall seconds, CPU
# seconds (user + system) and peak resident set in kB, from /usr/bin/time -v.
#
#   sh bigcsv/measure.sh EDGEFIT_BINARY big.csv [RUNS]
set -eu
bin=$1 csv=$2 runs=${3:-3}
here=$(dirname "$0")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
one() { # name, command...
	name=$1
	shift
	/usr/bin/time -v "$@" >/dev/null 2>"$out/t"
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out/t" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	cpu=$(sed -n 's/.*\(User\|System\) time (seconds): //p' "$out/t" | awk '{ s += $1 } END { print s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/t")
	echo "$name wall $wall s, cpu $cpu s, peak RSS $rss kB" | tee -a "$out/all"
}
i=0
while [ "$i" -lt "$runs" ]; do
	one edgefit "$bin" train -data "$csv" -y y1,y2 -epochs 10 -quiet
	one sklearn /usr/bin/python3 "$here/sklearn_fit.py" "$csv"
	i=$((i + 1))
done
median() { # name, field number
	grep "^$1 " "$out/all" | awk -v f="$2" '{ print $f }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
for name in edgefit sklearn; do
	echo "$name median: wall $(median $name 3) s, cpu $(median $name 6) s, peak RSS $(median $name 10) kB"
done
