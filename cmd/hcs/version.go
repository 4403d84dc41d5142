package main

import (
	"fmt"
	"io"
)

func runVersion(stdout io.Writer) error {
	f, err := loadFramework("")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "hcs %s\nframework data %s (published %s)\n", version, f.Version, f.Published)
	return nil
}
