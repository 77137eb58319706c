//go:build race

package main

// raceEnabled: the race detector multiplies memory use, so the peak-memory
// tests skip under it (they measure the real build's figures).
const raceEnabled = true
