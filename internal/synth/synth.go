// Package synth makes synthetic cases for benchmarks and demos: words
// drawn with a Zipf-like skew from real words in six languages and made-up
// ones, so common and rare search terms behave as in a real vault. The
// same seed gives the same cases.
package synth

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dossier-hr/dossier/store"
)

// Words is the vocabulary cases are drawn from; the first ones are real.
var Words = func() []string {
	real := strings.Fields(`police полиция policía polícia polisi arrest задержание detención detenção penangkapan
		extortion вымогательство extorsión extorsão pemerasan clinic клиника clínica klinik methadone метадон metadona
		syringe шприц jeringa seringa jarum raid облава redada razia prison тюрьма cárcel prisão penjara
		court суд tribunal pengadilan treatment лечение tratamiento tratamento rehabilitasi beaten избили golpeado
		money деньги dinero dinheiro uang station отдел comisaría delegacia kantor night ночью noche noite malam`)
	r := rand.New(rand.NewPCG(7, 7))
	syll := []string{"ka", "ri", "mo", "ta", "ne", "lu", "sa", "po", "ди", "ка", "ро", "ми", "на", "ве"}
	words := slices.Clone(real)
	for len(words) < 5000 {
		var b strings.Builder
		for i := 2 + r.IntN(3); i > 0; i-- {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		words = append(words, b.String())
	}
	return words
}()

// Countries are the countries cases are spread over.
var Countries = []string{"RU", "ID", "BO", "BR", "ML", "PL", "UA", "KZ", "PH", "TH"}

// Case returns one synthetic case as a JSON object: 40 to 100 words of
// narrative, two violations, two people, two tags.
func Case(r *rand.Rand) []byte {
	word := func() string { return Words[int(float64(len(Words))*r.Float64()*r.Float64()*r.Float64())] }
	narr := make([]string, 40+r.IntN(60))
	for j := range narr {
		narr[j] = word()
	}
	c := map[string]any{
		"title":         word() + " " + word() + " " + word(),
		"narrative":     strings.Join(narr, " "),
		"incident_date": fmt.Sprintf("%d-%02d-%02d", 2015+r.IntN(11), 1+r.IntN(12), 1+r.IntN(28)),
		"country":       Countries[r.IntN(len(Countries))],
		"locality":      word(),
		"status":        store.CaseStatuses[r.IntN(len(store.CaseStatuses))],
		"tags":          []string{word(), word()},
		"violations": []map[string]string{
			{"type": store.ViolationTypes[r.IntN(len(store.ViolationTypes))], "perpetrator": store.Perpetrators[r.IntN(len(store.Perpetrators))]},
			{"type": store.ViolationTypes[r.IntN(8)], "perpetrator": "police"},
		},
		"people": []map[string]string{{"role": "victim", "pseudonym": word()}, {"role": "witness", "pseudonym": word()}},
	}
	b, _ := json.Marshal(c)
	return b
}

// WriteNDJSON writes n cases, one per line, from seed.
func WriteNDJSON(w io.Writer, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 1))
	for i := 0; i < n; i++ {
		b := append(Case(r), '\n')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
