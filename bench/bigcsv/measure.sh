#!/bin/sh
# Times edgefit train and pandas + scikit-learn on the same file, alternating,
# RUNS times each, and prints every run and the medians (wall seconds, peak
# resident set in kB, from /usr/bin/time -v).
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
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/t")
	echo "$name $wall $rss" | tee -a "$out/all"
}
i=0
while [ "$i" -lt "$runs" ]; do
	one edgefit "$bin" train -data "$csv" -y y1,y2 -epochs 10 -quiet
	one sklearn /usr/bin/python3 "$here/sklearn_fit.py" "$csv"
	i=$((i + 1))
done
for name in edgefit sklearn; do
	grep "^$name " "$out/all" | sort -n -k2 | awk -v n="$runs" '{ w[NR] = $2 } END { printf "%s median wall %s s\n", $1, w[int((n + 1) / 2)] }'
	grep "^$name " "$out/all" | sort -n -k3 | awk -v n="$runs" '{ r[NR] = $3 } END { printf "%s median peak RSS %d kB (%.1f MiB)\n", $1, r[int((n + 1) / 2)], r[int((n + 1) / 2)] / 1024 }'
done
