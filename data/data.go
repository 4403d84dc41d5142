// Package data holds the versioned reference data that hcs is built from.
// The files are embedded into the binary so it runs from any folder.
package data

import "embed"

// Framework holds the career framework data files under framework/.
//
//go:embed framework
var Framework embed.FS

// Curricula holds the training curricula under curricula/, one file per
// curriculum version.
//
//go:embed curricula
var Curricula embed.FS
