package httpkit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MaxPages stops a pagination loop that never ends (a server repeating
// itself in a way the loop guard cannot see).
const MaxPages = 1_000_000

// Paginate calls fetch with first, then with each next page it returns, until
// fetch reports done. It fails when a page repeats (a server bug that would
// loop forever) or after MaxPages. T is a page token, a cursor, a next URL,
// an offset or a page number.
func Paginate[T comparable](ctx context.Context, first T, fetch func(ctx context.Context, page T) (next T, done bool, err error)) error {
	seen := map[T]bool{}
	page := first
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if n >= MaxPages {
			return fmt.Errorf("pagination: stopped after %d pages", MaxPages)
		}
		seen[page] = true
		next, done, err := fetch(ctx, page)
		if err != nil || done {
			return err
		}
		if seen[next] {
			return fmt.Errorf("pagination: the server returned page %v again; stopping instead of looping", next)
		}
		page = next
	}
}

// PageTokens pages with tokens (Google's pageToken, HubSpot's after,
// LinkedIn-style cursors): fetch gets "" first and returns the next token,
// "" on the last page.
func PageTokens(ctx context.Context, fetch func(ctx context.Context, token string) (next string, err error)) error {
	return Paginate(ctx, "", func(ctx context.Context, tok string) (string, bool, error) {
		next, err := fetch(ctx, tok)
		return next, next == "", err
	})
}

// NextURLs follows next links (Meta's paging.next, Salesforce's
// nextRecordsUrl) from first until fetch returns "". Pass the links to
// Client requests as they come: the client rebases them onto base_url.
func NextURLs(ctx context.Context, first string, fetch func(ctx context.Context, url string) (next string, err error)) error {
	return Paginate(ctx, first, func(ctx context.Context, u string) (string, bool, error) {
		next, err := fetch(ctx, u)
		return next, next == "", err
	})
}

// Offsets pages with offset and limit (GA4): fetch reads limit rows at
// offset and returns how many it got and the total (-1 when unknown). It
// stops on a short page or at total.
func Offsets(ctx context.Context, limit int, fetch func(ctx context.Context, offset int) (got, total int, err error)) error {
	if limit <= 0 {
		return errors.New("pagination: limit must be positive")
	}
	return Paginate(ctx, 0, func(ctx context.Context, off int) (int, bool, error) {
		got, total, err := fetch(ctx, off)
		next := off + got
		return next, got < limit || got == 0 || (total >= 0 && next >= total), err
	})
}

// PageNumbers pages by number from 1 (TikTok, Ocean Engine and Tencent
// page_info): fetch returns the total number of pages.
func PageNumbers(ctx context.Context, fetch func(ctx context.Context, page int) (totalPages int, err error)) error {
	return Paginate(ctx, 1, func(ctx context.Context, p int) (int, bool, error) {
		total, err := fetch(ctx, p)
		return p + 1, p >= total, err
	})
}

// JobStatus is what a poll of an async report job says.
type JobStatus int

const (
	// JobRunning: poll again later.
	JobRunning JobStatus = iota
	// JobDone: download the result.
	JobDone
	// JobFailed: the platform gave up on the job; RunJob submits it again.
	JobFailed
)

// Job is an asynchronous report (Meta async insights, Microsoft
// SubmitGenerateReport/Poll, Ocean Engine async tasks): submit, poll until
// done, then download.
type Job struct {
	// Submit starts the job and returns its id.
	Submit func(ctx context.Context) (id string, err error)
	// Poll reads the job's status; progress is for the log (-1 unknown).
	Poll func(ctx context.Context, id string) (status JobStatus, progress int, err error)
	// Interval is the first wait between polls (default 5 s); it doubles up
	// to MaxInterval (default 1 min).
	Interval, MaxInterval time.Duration
	// Timeout bounds the whole job (default 1 h), measured on the client's clock.
	Timeout time.Duration
	// Resubmits bounds how often a failed job is submitted again (default 2).
	Resubmits int
}

// ErrJobFailed is wrapped when a job keeps failing or times out.
var ErrJobFailed = errors.New("report job failed")

// RunJob submits j and polls it with c's clock until it is done, returning
// the id of the completed job for the download.
func (c *Client) RunJob(ctx context.Context, j Job) (string, error) {
	if j.Interval <= 0 {
		j.Interval = 5 * time.Second
	}
	if j.MaxInterval <= 0 {
		j.MaxInterval = time.Minute
	}
	if j.Timeout <= 0 {
		j.Timeout = time.Hour
	}
	if j.Resubmits <= 0 {
		j.Resubmits = 2
	}
	clock := c.opt.clock
	deadline := clock.Now().Add(j.Timeout)
	for submit := 0; submit <= j.Resubmits; submit++ {
		id, err := j.Submit(ctx)
		if err != nil {
			return "", err
		}
		wait := j.Interval
		for {
			if err := clock.Sleep(ctx, wait); err != nil {
				return "", err
			}
			st, progress, err := j.Poll(ctx, id)
			if err != nil {
				return "", err
			}
			if st == JobDone {
				return id, nil
			}
			if st == JobFailed {
				c.log.WarnContext(ctx, "report job failed; submitting again", "job_id", id, "resubmit", submit+1)
				break
			}
			c.log.DebugContext(ctx, "report job running", "job_id", id, "progress", progress)
			if clock.Now().After(deadline) {
				return "", fmt.Errorf("%w: job %s still running after %s", ErrJobFailed, id, j.Timeout)
			}
			wait = min(wait*2, j.MaxInterval)
		}
	}
	return "", fmt.Errorf("%w: failed %d times", ErrJobFailed, j.Resubmits+1)
}
