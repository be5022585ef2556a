{
  "targets": [
    {
      "target_name": "agentguard-shim",
      "type": "executable",
      "sources": ["src/shim/shim.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=c11"],
      "cflags!": ["-fno-exceptions"],
      "ldflags": ["-static"]
    },
    {
      "target_name": "agentguard-bridge",
      "type": "executable",
      "sources": ["src/egress/bridge.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=c11", "-pthread"],
      "cflags!": ["-fno-exceptions"],
      "ldflags": ["-pthread"]
    },
    {
      "target_name": "agentguard-broker",
      "type": "executable",
      "sources": ["src/broker/broker.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=c11"],
      "cflags!": ["-fno-exceptions"]
    }
  ]
}
