// Package sql embeds pacer's SQL models, their .yml files and the data
// checks (see package transforms for the layout). It holds no Go code besides
// this embed: import it only from cmd/pacer and tests, aliased (for example
// sqlfs "github.com/pacerhq/pacer/sql") since its name collides with
// database/sql.
package sql

import "embed"

// FS holds staging/, intermediate/, marts/, meta/ and checks/ with their
// .sql and .yml files, for transforms.LoadModels.
//
//go:embed staging intermediate marts meta checks
var FS embed.FS
