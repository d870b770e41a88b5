{
  "targets": [
    {
      "target_name": "keycarve",
      "sources": ["keycarve.c", "cpkdf.c", "anchors.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O3"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
    }
  ]
}
