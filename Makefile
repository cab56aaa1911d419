.PHONY: build test bench

build:
	go build -o bin/vigie ./cmd/vigie

# The test command of the README and of .ci/run.
test:
	go test -count=1 -timeout 20m ./...

bench:
	go test -run '^$$' -bench . -benchmem ./...
