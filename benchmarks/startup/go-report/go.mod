module corral.dev/go-report

go 1.23
