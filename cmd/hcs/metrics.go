package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hcs/internal/database"
)

// databaseCollectors publish the database's measures at /metrics: pool
// use (connections open, in use and idle; waits for a free one) and the
// outbox's backlog.
func databaseCollectors(db *database.DB) []prometheus.Collector {
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	counter := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f)
	}
	return []prometheus.Collector{
		gauge("hcs_db_connections_max", "Connections the pools may open.", func() float64 { return float64(db.PoolStats().MaxOpenConnections) }),
		gauge("hcs_db_connections_open", "Connections open.", func() float64 { return float64(db.PoolStats().OpenConnections) }),
		gauge("hcs_db_connections_in_use", "Connections running a statement or transaction.", func() float64 { return float64(db.PoolStats().InUse) }),
		gauge("hcs_db_connections_idle", "Connections open and idle.", func() float64 { return float64(db.PoolStats().Idle) }),
		counter("hcs_db_connection_waits_total", "Times a request waited for a free connection.", func() float64 { return float64(db.PoolStats().WaitCount) }),
		counter("hcs_db_connection_wait_seconds_total", "Time requests spent waiting for a free connection.", func() float64 { return db.PoolStats().WaitDuration.Seconds() }),
		gauge("hcs_outbox_unsent", "Messages in the outbox waiting to be sent (-1 when the database does not answer).", func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := db.OutboxBacklog(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}),
	}
}
