#!/bin/bash
# The steady cost on ../shared/perf/steady.sh taken apart. The same distribution, built from
# HEAD in a throwaway worktree with test/perf/decompose.patch applied, in two variants, each
# against the same bare Go floor (tools/steady):
#   N  each instance's run does exactly the floor's network work (tools/steady's net/http code)
#      and emits nothing: what the collector costs around a scheduled receiver;
#   T  the same network work, then the instance's first real results turned into the same
#      metrics and log records every run: N plus pdata building, both pipelines and exporters.
# steady.sh on the unpatched distribution adds the probes and the diagnosis.
# From the checkout: test/perf/decompose.sh (about 12 minutes; K, ROUNDS, SCALE_KS as steady.sh).
set -eu
checkout=$PWD
steady=$(readlink -f "$checkout/../shared/perf/steady.sh")
[ -x "$steady" ] || { echo "decompose: the shared measurement $steady is missing" >&2; exit 1; }
wt=$(mktemp -d)/decompose
git worktree add -q --detach "$wt" HEAD
trap 'git -C "$checkout" worktree remove --force "$wt"; rmdir "$(dirname "$wt")"' EXIT
git -C "$wt" apply "$checkout/test/perf/decompose.patch"
(cd "$wt" && make build >/dev/null)
for mode in N T; do
  echo "== $mode"
  (cd "$wt" && AUTOOPS_DECOMP=$mode K=${K:-50} ROUNDS=${ROUNDS:-3} SCALE_KS=${SCALE_KS:-1 300} SCALE_FLOOR=0 "$steady" 2>/dev/null) |
    grep -E '^(per round|ours by K|steady:)'
done
