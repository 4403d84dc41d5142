//go:build !unix

package main

import "os"

// mapFile maps nothing where there is no mmap: the file is read instead.
func mapFile(f *os.File, size int64) (data []byte, parsed func(part []byte), unmap func()) {
	return nil, nil, nil
}
