package connector

import (
	"fmt"
	"slices"
	"strings"
)

// closestKey is the known key an unknown one most likely misspells
// ("acces_token" for access_token), or "" when none is close: at most two
// edits apart (letters, case or - for _), and fewer than a third of it.
func closestKey(key string, known []string) string {
	k := strings.ToLower(strings.ReplaceAll(key, "-", "_"))
	best, bestD := "", 3
	for _, cand := range slices.Sorted(slices.Values(known)) {
		d := editDistance(k, cand)
		if d < bestD && d*3 < len(cand) {
			best, bestD = cand, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, counting an
// exchange of two neighbouring characters as one edit (Damerau's optimal
// string alignment): "acess" and "acces" are both one slip from "acces".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// unknownKeyWarning is the WARN for a config key that is no option.
func unknownKeyWarning(key, suggestion string) string {
	w := fmt.Sprintf("config key %q is not a Botmaker connector option and is ignored", key)
	if suggestion != "" {
		return w + fmt.Sprintf("; did you mean %s? Rename it in the config.", suggestion)
	}
	return w + ". Remove it from the config, or check its spelling against the spec."
}

// misspelled adds to a missing required key's problem the key that was
// probably meant as it.
func misspelled(problem, key string, typos map[string]string) string {
	if typo, ok := typos[key]; ok {
		return fmt.Sprintf("%s. The config has %q, which is not an option: rename it to %s", problem, typo, key)
	}
	return problem
}
