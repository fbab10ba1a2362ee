#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The shipped plugin binary must run on a Grafana host that has none of our
# build dependencies. gRPC, protobuf-c, jansson (and abseil, re2, c-ares,
# upb, the C++ runtime) are linked statically; what may stay dynamic is what
# every Linux host has or what cannot be linked statically from Debian:
#
#   allow-list (direct dependencies, DT_NEEDED):
#     libc, libm, libpthread, libdl     glibc itself
#     libcurl                           HTTP client; its static build needs
#                                       libraries Debian does not ship as .a.
#                                       Today it is not even a DT_NEEDED entry:
#                                       src/http/curl_api.c dlopen()s
#                                       libcurl.so.4 on the first backend call
#     libssl, libcrypto, libz           allowed because libcurl's TLS and
#                                       compression may need them directly
#     the dynamic loader, linux-vdso    part of every process
#
# Everything else that `ldd` shows must come *through* libcurl (nghttp2,
# gnutls, krb5 ... are libcurl's business and arrive with the libcurl4
# package); none of it may be a direct dependency of our binary.
#
#   check_dependencies.sh BINARY static|dynamic
# Exit 0 ok, 1 a violation, 77 skipped (a dynamic-deps build, e.g. the
# sanitizer build, is not shippable and is not checked).
set -u
bin=$1
kind=$2

if [ "$kind" != static ]; then
    echo "SKIP: $bin was built with ET_STATIC_DEPS=OFF (sanitizer or development build);"
    echo "      only the static build is shipped, so only it is checked"
    exit 77
fi
if [ ! -x "$bin" ]; then
    echo "FAIL: $bin does not exist (build the dist target)"
    exit 1
fi

allowed() {
    case "${1##*/}" in
    libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | libcurl.so.* | libssl.so.* | \
        libcrypto.so.* | libz.so.* | ld-linux*.so.* | linux-vdso.so.* | linux-gate.so.*)
        return 0 ;;
    esac
    return 1
}

status=0
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p')
echo "direct dependencies (DT_NEEDED): $(echo $needed)"
for lib in $needed; do
    if ! allowed "$lib"; then
        echo "FAIL: $lib is a direct dependency and is not on the allow-list"
        status=1
    fi
done

deps=$(ldd "$bin" 2>&1)
if echo "$deps" | grep -q "not found"; then
    echo "FAIL: unresolved libraries:"
    echo "$deps" | grep "not found"
    status=1
fi
curl_path=$(echo "$deps" | awk '$1 ~ /^libcurl/ { print $3 }')
curl_closure=""
if [ -n "$curl_path" ]; then
    curl_closure=$(ldd "$curl_path" | awk '{ print $1 }')
fi
for lib in $(echo "$deps" | awk '{ print $1 }'); do
    allowed "$lib" && continue
    case " $(echo $curl_closure) " in
    *" $lib "*) continue ;;
    esac
    echo "FAIL: $lib is loaded, is not on the allow-list and does not come from libcurl"
    status=1
done

# libcurl is loaded at run time (dlopen): the binary must name it, and the
# host must have it (the libcurl4 package, README "Runtime requirements").
if ! grep -q "libcurl.so.4" "$bin"; then
    echo "FAIL: $bin does not name libcurl.so.4 (neither linked nor loaded at run time)"
    status=1
elif ! /sbin/ldconfig -p 2>/dev/null | grep -q "libcurl.so.4 "; then
    echo "FAIL: libcurl.so.4 is not installed here, so backend calls would fail"
    status=1
else
    echo "libcurl.so.4: loaded at run time on the first backend call"
fi

glibc=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sort -u -V | tail -n 1)
echo "needs glibc: ${glibc#GLIBC_} or newer"
if [ $status -eq 0 ]; then
    echo "PASS: only allow-listed direct dependencies; the rest comes with libcurl"
fi
exit $status
