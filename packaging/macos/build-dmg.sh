#!/usr/bin/env bash
# Makes the macOS disk image dist/installer/TopicInspector-<version>.dmg (under the repository root): a compressed,
# read-only image holding the app bundle and a link to /Applications to drag it onto.
#
#   packaging/macos/build-dmg.sh "dist/Topic Inspector.app" 0.1.0
#
# The bundle is first signed ad hoc, in place (an unsigned arm64 program does not run on Apple Silicon). That is not
# a Developer ID signature: Gatekeeper still asks before the first start of a downloaded copy.
set -euo pipefail

usage() {
  echo "usage: $0 APP_BUNDLE VERSION" >&2
  exit 2
}

[ "$#" -eq 2 ] || usage
app=${1%/}
version=$2

if [ ! -d "$app" ] || [ "${app##*.}" != "app" ]; then
  echo "error: not an app bundle: $app" >&2
  exit 1
fi
case $version in
  "" | */* | *" "*)
    echo "error: not a version: '$version'" >&2
    exit 1
    ;;
  *) ;;
esac

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out_dir="$repo_root/dist/installer"
dmg="$out_dir/TopicInspector-$version.dmg"
app_name=$(basename "$app")

echo "Signing $app ad hoc"
codesign --force --deep --sign - "$app"
codesign --verify --deep --verbose=2 "$app"

staging=$(mktemp -d "${TMPDIR:-/tmp}/topic-inspector-dmg.XXXXXX")
trap 'rm -rf "$staging"' EXIT
# ditto keeps the bundle's symlinks, permissions and extended attributes (the signature lives in some of them).
ditto "$app" "$staging/$app_name"
ln -s /Applications "$staging/Applications"

mkdir -p "$out_dir"
rm -f "$dmg"
# On CI machines hdiutil create fails now and then with "Resource busy" (a race with a system service): retry.
attempts=5
attempt=1
until hdiutil create -volname "Topic Inspector" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"; do
  if [ "$attempt" -ge "$attempts" ]; then
    echo "error: hdiutil create failed $attempts times" >&2
    exit 1
  fi
  echo "hdiutil create failed (attempt $attempt of $attempts); retrying in $((attempt * 5)) s" >&2
  sleep $((attempt * 5))
  attempt=$((attempt + 1))
done
hdiutil verify "$dmg"

bytes=$(wc -c <"$dmg")
bytes=${bytes//[[:space:]]/}
human=$(du -h "$dmg")
echo "Made $dmg: $bytes bytes (${human%%[[:space:]]*})"
