package testutil

import "runtime"

// AllocatedBytes runs f and returns the bytes allocated meanwhile, by every goroutine: a
// bound on what a piece of work costs that does not depend on the machine's speed.
func AllocatedBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
