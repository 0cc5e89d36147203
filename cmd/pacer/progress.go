package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows the run's steps and a live row counter per stream on a
// terminal. It implements pipelines.Progress.
type progress struct {
	w   io.Writer
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

func newProgress(w io.Writer) *progress { return &progress{w: w} }

func (p *progress) Step(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishBar()
	fmt.Fprintf(p.w, "▸ %s\n", name)
}

func (p *progress) Rows(label string) func(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishBar()
	p.bar = progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("  "+label),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSpinnerType(14),
	)
	bar := p.bar
	return func(n int64) { _ = bar.Add64(n) }
}

func (p *progress) finishBar() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
		p.bar = nil
	}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishBar()
}
