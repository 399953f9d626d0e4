#!/usr/bin/env bash
# Installs Mesa's Vulkan drivers (lavapipe: Vulkan on the CPU) so the webgpu tests run for real through Dawn.
# Root only; idempotent and quiet; on Debian bookworm from bookworm-backports (Mesa 25, which Dawn needs).
# Never fails the CI run: without a driver the webgpu tests skip with a message saying so.
set -uo pipefail
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-vulkan: not root or no apt-get; skipping (webgpu tests skip without a Vulkan driver)"
  exit 0
fi
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
installed=$(dpkg-query -W -f='${Status} ${Version}' mesa-vulkan-drivers 2>/dev/null || true)
if [ "$codename" = bookworm ]; then
  case "$installed" in *"install ok installed"*bpo*) exit 0 ;; esac
  src=/etc/apt/sources.list.d/debian.sources
  if [ -f "$src" ] && ! grep -q bookworm-backports "$src"; then
    sed -i 's/^Suites: bookworm bookworm-updates$/Suites: bookworm bookworm-updates bookworm-backports/' "$src"
  fi
  if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "install-vulkan: could not enable bookworm-backports; skipping"
    exit 0
  fi
  target=(-t bookworm-backports)
else
  case "$installed" in *"install ok installed"*) exit 0 ;; esac
  target=()
fi
echo "install-vulkan: installing mesa-vulkan-drivers ${target[*]}"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${target[@]}" mesa-vulkan-drivers; } \
  >/tmp/install-vulkan.log 2>&1; then
  echo "install-vulkan: failed (see /tmp/install-vulkan.log); webgpu tests will skip if no adapter is found"
fi
exit 0
