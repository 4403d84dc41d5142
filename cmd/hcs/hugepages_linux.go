package main

import (
	"runtime"
	"syscall"
	"unsafe"
)

// preferHugePages asks Linux to back the next n bytes of heap with 2 MiB
// pages where it can. hcs match touches a few hundred megabytes of fresh
// memory once; with 4 KiB pages each is a page fault, and on a virtual
// machine those faults took a third of the run. The block is allocated
// untouched, marked, and freed at once, so the allocations that follow
// reuse its addresses. At most 1 GiB is marked. Where the kernel has
// transparent huge pages off, this does nothing.
func preferHugePages(n int) {
	const huge = 2 << 20
	n = min(n, 1<<30)
	if n < 4*huge {
		return
	}
	block := make([]byte, n)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(block)))
	from := int((base+huge-1)&^(huge-1) - base) // the first 2 MiB boundary
	to := from + (n-from)&^(huge-1)
	if to > from {
		syscall.Madvise(block[from:to], syscall.MADV_HUGEPAGE) // advice: an error changes nothing
	}
	runtime.KeepAlive(block)
	runtime.GC()
}
