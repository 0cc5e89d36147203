// Package connectors defines how pacer reads external systems: the Source
// interface, the Emitter a pipeline hands to a source, the canonical streams
// sources feed, and the registry of connector types.
//
// A connector type registers itself from init with Register; cmd/pacer imports
// connectors/all once so that every shipped type is available. A source never
// writes to the warehouse itself: it emits Arrow record batches (or, for files,
// a DuckDB SELECT through the optional SQLEmitter) and checkpoints an opaque
// cursor; the pipeline commits rows and cursor in one transaction.
package connectors
