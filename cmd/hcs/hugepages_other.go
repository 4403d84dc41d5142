//go:build !linux

package main

// preferHugePages does nothing where there is no madvise(MADV_HUGEPAGE).
func preferHugePages(n int) {}
