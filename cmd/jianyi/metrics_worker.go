package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"jianyi/storage/postgres"
	jredis "jianyi/storage/redis"
)

// backlogCollector reports, at each scrape, what the workers have not done yet: the tasks on
// the queue by state and how long the oldest has waited, and the workflow events the outbox
// relay has not turned into notices. Nothing may be dropped until it is done (PRODUCT.md), so
// these are what an operator alerts on: a backlog that only grows, or an old oldest item.
type backlogCollector struct {
	queue   *jredis.Queue
	outbox  *postgres.NotifyStore
	log     *slog.Logger
	timeout time.Duration

	tasks, latency, pending, oldest, up *prometheus.Desc
}

func newBacklogCollector(queue *jredis.Queue, outbox *postgres.NotifyStore, log *slog.Logger) *backlogCollector {
	return &backlogCollector{queue: queue, outbox: outbox, log: log, timeout: 3 * time.Second,
		tasks: prometheus.NewDesc("jianyi_queue_tasks", "Tasks on the worker queue, by state.", []string{"state"}, nil),
		latency: prometheus.NewDesc("jianyi_queue_oldest_pending_seconds",
			"How long the oldest pending task on the worker queue has waited.", nil, nil),
		pending: prometheus.NewDesc("jianyi_outbox_pending", "Workflow events the relay has not yet turned into notices.", nil, nil),
		oldest: prometheus.NewDesc("jianyi_outbox_oldest_pending_seconds",
			"How long the oldest workflow event waiting for the relay has waited.", nil, nil),
		up: prometheus.NewDesc("jianyi_backlog_up", "1 when the last scrape could read the backlog of the named source.", []string{"source"}, nil),
	}
}

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.tasks, c.latency, c.pending, c.oldest, c.up} {
		ch <- d
	}
}

func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if q, err := c.queue.Depth(ctx); err != nil {
		c.log.Warn("metrics: queue depth", "err", err)
		gauge(c.up, 0, "queue")
	} else {
		gauge(c.up, 1, "queue")
		for state, n := range map[string]int{"pending": q.Pending, "active": q.Active, "scheduled": q.Scheduled,
			"retry": q.Retry, "archived": q.Archived} {
			gauge(c.tasks, float64(n), state)
		}
		gauge(c.latency, q.Latency.Seconds())
	}
	if n, age, err := c.outbox.OutboxBacklog(ctx, time.Now()); err != nil {
		c.log.Warn("metrics: outbox backlog", "err", err)
		gauge(c.up, 0, "outbox")
	} else {
		gauge(c.up, 1, "outbox")
		gauge(c.pending, float64(n))
		gauge(c.oldest, age.Seconds())
	}
}
