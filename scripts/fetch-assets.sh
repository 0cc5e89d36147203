#!/usr/bin/env bash
# fetch-assets.sh — put the chart library the HTML report ships into reports/assets/.
#
# The report bundle must open from file:// with no network, so pacer embeds
# Apache ECharts (reports/assets, //go:embed) and copies it into every bundle.
# This script fetches the npm package "echarts" at the version go-echarts v2.6.x
# targets (its README: echarts v5.4.3) with `npm pack` (the npm registry only,
# no other network), extracts three files and checks their sha256:
#
#   package/dist/echarts.min.js -> reports/assets/echarts.min.js
#   package/LICENSE             -> reports/assets/LICENSE
#   package/NOTICE              -> reports/assets/NOTICE
#
# Idempotent: when all three files are present with the recorded checksums it
# does nothing (and needs no network). Called by `make assets`.
set -euo pipefail

ECHARTS_VERSION="5.4.3"
SHA256_ECHARTS_MIN_JS="1156429a16a38cb8604dcc6518c19406d4226142d908f8edd2e3531443c54d19"
SHA256_LICENSE="9ef11df57e751e8c6d10d54e1855c64d316627bbe89e73326de7e3ccdb8184aa"
SHA256_NOTICE="7129cc3d8db9a2e10b820ad6f5f69ffcde16c110d48c2e41917a2d8e81ab57fb"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${root}/reports/assets"

# sum FILE prints the sha256 of FILE, or nothing when it does not exist.
sum() {
	if [[ -f "$1" ]]; then
		sha256sum "$1" | cut -d' ' -f1
	fi
}

# ok DIR is true when DIR holds the three files with the recorded checksums.
ok() {
	[[ "$(sum "$1/echarts.min.js")" == "${SHA256_ECHARTS_MIN_JS}" ]] &&
		[[ "$(sum "$1/LICENSE")" == "${SHA256_LICENSE}" ]] &&
		[[ "$(sum "$1/NOTICE")" == "${SHA256_NOTICE}" ]]
}

if ok "${dest}"; then
	echo "fetch-assets: echarts ${ECHARTS_VERSION} already in reports/assets"
	exit 0
fi

command -v npm >/dev/null 2>&1 || {
	echo "fetch-assets: npm not found; install Node.js/npm (Debian: apt-get install npm)" >&2
	exit 1
}

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

(cd "${tmp}" && npm pack --silent "echarts@${ECHARTS_VERSION}" >/dev/null)
tarball="${tmp}/echarts-${ECHARTS_VERSION}.tgz"
[[ -f "${tarball}" ]] || {
	echo "fetch-assets: npm pack did not produce ${tarball##*/}" >&2
	exit 1
}
tar -xzf "${tarball}" -C "${tmp}" package/dist/echarts.min.js package/LICENSE package/NOTICE

mkdir -p "${tmp}/out"
cp "${tmp}/package/dist/echarts.min.js" "${tmp}/package/LICENSE" "${tmp}/package/NOTICE" "${tmp}/out/"
if ! ok "${tmp}/out"; then
	echo "fetch-assets: checksum mismatch for echarts ${ECHARTS_VERSION}:" >&2
	(cd "${tmp}/out" && sha256sum echarts.min.js LICENSE NOTICE) >&2
	exit 1
fi

mkdir -p "${dest}"
for f in echarts.min.js LICENSE NOTICE; do
	install -m 0644 "${tmp}/out/${f}" "${dest}/${f}.tmp"
	mv -f "${dest}/${f}.tmp" "${dest}/${f}"
done
echo "fetch-assets: wrote echarts ${ECHARTS_VERSION} (echarts.min.js, LICENSE, NOTICE) to reports/assets"
