// Package attribution credits conversions and conversion value to
// marketing channels from customer journeys, with rule-based models (first
// touch, last touch, last non-direct, linear, time decay, position based)
// and data-driven ones (Markov chain removal effect of order 1 to 4,
// solved exactly, and the simplified Shapley value).
//
// The models are pure Go over plain values ([Run] on [Journeys]); only
// [Marts], the Go model of the transform step, touches the warehouse: it
// reads staging.int_attribution__journeys (built in SQL from the
// touchpoints and orders streams) into a [Builder] per month and writes
// marts.attribution_by_channel. pacer attribute reads journeys with
// [ParsePaths] from a file
// in the aggregated format of the ChannelAttribution package
// (path,total_conversions,total_conversion_value,total_null; channels
// joined by " > "; column names, delimiter and separator set by
// [PathFormat]). [Run] runs a list of [Spec] values (from the names of
// pacer.yaml with [ParseSpec]) and returns one [Result] per model: the
// credited conversions and value of each channel. [NewChain] exposes a
// Markov chain's transitions and solution.
//
// # Input
//
// A journey is the ordered channels of a user's touches before a
// conversion (a converting journey) or of a user who did not convert (a
// null journey). Identical journeys are aggregated into a [Path] with
// counts: conv_p converting journeys with total value val_p, and null_p
// null journeys. Models run over the distinct paths weighted by these
// counts, so a million journeys cost what their few hundred thousand
// distinct paths cost. Below, a path p has touches t_1..t_n.
//
// Rule-based models and Shapley credit only the converting journeys: a
// path's conversions and its value are split by the same shares, so every
// model credits Σ_p conv_p conversions and Σ_p val_p value in all. Markov
// learns from null journeys too. A channel repeated in a path counts once
// per touch, except in Shapley; with Spec.Collapse, consecutive repeats are
// merged into one touch first (a > a > b becomes a > b).
//
// # Rule-based models
//
//   - First touch: t_1 gets the whole path.
//   - Last touch: t_n gets the whole path.
//   - Last non-direct: the last touch that is not the direct channel
//     (Spec.Direct, default "direct") gets the whole path; a path of
//     direct touches only credits direct.
//   - Linear: each touch gets 1/n, so a channel touching k times gets k/n
//     (ChannelAttribution's heuristic_models convention).
//   - Time decay: touch i gets w_i / Σ_j w_j with w_i = 2^(-(n-i)/h) for a
//     half-life of h touches (default 1: the last touch weighs 1, the one
//     before 1/2, then 1/4), or w_i = 2^(-d_i/h) for a half-life of h days,
//     d_i being the touch's days before the conversion (Path.Times).
//   - Position based, weights (f, m, l) = (0.4, 0.2, 0.4) by default: one
//     touch gets everything; two touches split f:l (50/50); n >= 3 touches
//     give f to t_1, l to t_n and m/(n-2) to each middle touch.
//
// # Markov chain removal effect
//
// After Anderl, Becker, von Wangenheim and Schumann, "Mapping the customer
// journey: Lessons learned from graph-based online attribution modeling"
// (IJRM 33(3), 2016), as implemented by the ChannelAttribution package of
// Altomare and Loris, but solved exactly where ChannelAttribution
// simulates.
//
// The chain of order k has the transient states (start) and the k-tuples
// of consecutive channels seen in the paths, and two absorbing states,
// (conversion) and (null). A path t_1..t_n is the walk s_0 = (start),
// s_1, .., s_n where s_i = (t_{i-k+1}, .., t_i), padded on the left with
// (start) while i < k (order 2: (start) → ((start),a) → (a,b) → (b,c)).
// The path adds conv_p + null_p to each transition s_{i-1} → s_i, conv_p
// to s_n → (conversion) and null_p to s_n → (null); probabilities are the
// row-normalised weights. Consecutive repeats make self-loops (a → a at
// order 1); they are kept, and since a self-loop only delays the walk,
// keeping or dropping them gives the same result.
//
// With Q the transitions among transient states and r the probabilities
// of entering (conversion), the absorption probabilities h solve
// (I - Q) h = r, and P(conv) = h_(start). (For a chain fitted to whole
// walks, P(conv) equals the share of converting journeys at every order;
// the removal effects are what the chain adds.) It is solved exactly, no
// Monte Carlo: by dense LU with partial pivoting (exact up to float64
// rounding) for up to 300 transient states, which covers every order-1
// chain of up to 299 channels; above, by Gauss–Seidel sweeps in reverse
// breadth-first order, iterated until the estimated remaining error is
// below 1e-15 of the largest h (the tests find it within 1e-12 of dense
// LU). Removing channel c redirects every transition into a state that
// contains c to (null), that is h = 0 on those states; with P_-c(conv)
// the result,
//
//	RE_c = 1 - P_-c(conv) / P(conv)
//	credit_c = Σ_p conv_p · RE_c / Σ_k RE_k     (value: Σ_p val_p · RE_c / Σ_k RE_k)
//
// A channel seen only in null journeys still gets credit when it leads
// into channels that convert. The removal effects are in
// [MarkovStats.RemovalEffects].
//
// # Shapley value
//
// The simplified Shapley value of Zhao, Mahboobi and Bagheri, "Shapley
// Value Methods for Attribution Modeling in Online Advertising"
// (arXiv:1804.05327, 2018), after Shapley, "A value for n-person games"
// (1953). The n channels are the players; the worth of a coalition S is
// the conversions of the paths whose set of distinct channels C_p lies in
// S:
//
//	v(S) = Σ_{p : C_p ⊆ S} conv_p
//	φ_c = Σ_{S ⊆ N∖{c}} |S|! (n-|S|-1)! / n! · (v(S ∪ {c}) - v(S))
//
// the sum running over every coalition, the empty one included. v is the
// sum over paths of conv_p times the unanimity game of C_p, whose Shapley
// value is 1/|C_p| to each member of C_p; the Shapley value is linear, so
//
//	φ_c = Σ_{p : c ∈ C_p} conv_p / |C_p|
//
// exactly: each path's conversions (and value) are split equally over its
// distinct channels. The package computes this closed form, which is
// exact for any number of channels in time linear in the paths; the tests
// check it against the coalition sum over all 2^n coalitions.
//
// # Checks
//
// [Run] checks every result: credited conversions and value must sum to
// the paths' totals within 1e-9 relative, else it returns an error
// wrapping [ErrUnbalanced].
//
// # Performance
//
// On the benchmark input (one million synthetic journeys over 12
// channels, 258 k distinct paths, a 27 MB path file; see bench_test.go)
// on the 2-core development VM, 2026-11-26: reading the file 0.14 s (a
// reader goroutine feeds the aggregating one), the six rule-based models
// together 0.03 s, Shapley 0.02 s, Markov order 1 0.03 s, order 2 0.03 s,
// order 3 0.05 s, order 4 (21 k states, Gauss–Seidel) 0.29 s; from the
// file to the results 0.16 s for the rule-based models, 0.17 s for Markov
// order 1 and 0.19 s for both with Shapley. Memory follows the distinct
// paths, not the journeys: about 62 MiB at the peak of reading; the
// models themselves allocate next to nothing.
package attribution
