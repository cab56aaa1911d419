# vigie, built from this repository.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/vigie ./cmd/vigie

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/vigie /usr/local/bin/vigie
COPY pipelines /etc/vigie/pipelines
ENV VIGIE_PIPELINES=/etc/vigie/pipelines \
    VIGIE_DATA=/var/lib/vigie \
    VIGIE_ADDR=0.0.0.0:8080
VOLUME /var/lib/vigie
EXPOSE 8080
ENTRYPOINT ["vigie"]
CMD ["up"]
