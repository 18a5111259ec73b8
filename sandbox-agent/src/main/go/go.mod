module paperpod.dev/agent

go 1.18
