{
  "targets": [
    {
      "target_name": "keycarve",
      "sources": ["keycarve.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
    }
  ]
}
