//go:build unix

package main

import (
	"os"
	"syscall"
	"unsafe"
)

// mapFile maps a regular file's contents into memory read-only, so that
// `hcs match` parses the page cache where it lies instead of copying it
// into fresh buffers. It returns nil, and the caller reads the file
// instead, for anything that cannot be mapped: an empty file, a pipe, a
// file too large for the address space.
//
// parsed lets go of the pages under a part of data that has been read,
// so that the mapping does not hold the whole file in the process's
// memory. The file's pages stay in the page cache, and a page touched
// again is simply mapped again, so letting go never loses anything.
// unmap releases the mapping. Changing the file while it is mapped is
// not supported: a file cut short under a running match stops it with a
// fault.
func mapFile(f *os.File, size int64) (data []byte, parsed func(part []byte), unmap func()) {
	if size <= 0 || size != int64(int(size)) {
		return nil, nil, nil
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, nil, nil
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, nil
	}
	syscall.Madvise(data, syscall.MADV_SEQUENTIAL) // advice: an error changes nothing
	base := uintptr(unsafe.Pointer(unsafe.SliceData(data)))
	page := uintptr(os.Getpagesize())
	parsed = func(part []byte) {
		if len(part) == 0 {
			return
		}
		// madvise wants the start on a page; the kernel rounds the end up
		// to one, and the mapping covers whole pages.
		from := uintptr(unsafe.Pointer(unsafe.SliceData(part))) - base
		to := from + uintptr(len(part))
		syscall.Madvise(data[from&^(page-1):to], syscall.MADV_DONTNEED)
	}
	return data, parsed, func() { syscall.Munmap(data) }
}
