#!/bin/sh
# The README's first command (make demo). Until the transfers work lands this
# only reports what exists; it will start a BIND primary and rodnsd.
set -eu
case "${1:-run}" in
stop) echo "demo: nothing is running yet (no daemon until the transfers work lands)";;
*)
	echo "demo: built $(ls build/librodns.a) and the test tools."
	echo "demo: the replica daemon (rodnsd) arrives with the transfers work;"
	echo "demo: until then run 'make check' to see the wire codec and the store at work."
	;;
esac
