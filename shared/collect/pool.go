package collect

import (
	"context"
	"sort"
	"sync"
)

// each runs fn for every item with at most limit running at once, and
// returns the first error (the others still finish: a page of details that
// fails does not leave goroutines behind). It stops starting new work once
// ctx is done.
func each[T any](ctx context.Context, limit int, items []T, fn func(context.Context, T) error) error {
	if limit < 1 {
		limit = 1
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, limit)
	)
	for _, it := range items {
		if ctx.Err() != nil {
			mu.Lock()
			if first == nil {
				first = ctx.Err()
			}
			mu.Unlock()
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(it T) {
			defer func() { <-sem; wg.Done() }()
			if err := fn(ctx, it); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}(it)
	}
	wg.Wait()
	return first
}

func sortStrings(s []string) { sort.Strings(s) }
