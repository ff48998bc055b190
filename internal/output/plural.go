package output

import "strconv"

// Plural is n followed by the singular or plural word: "1 key", "2 keys",
// "0 keys".
func Plural(n int, singular, plural string) string {
	if n == 1 {
		return "1 " + singular
	}
	return strconv.Itoa(n) + " " + plural
}
