#!/usr/bin/env bash
# The dependency audit, in target/dependency-report/:
#   runtime.txt  every runtime dependency with its version: exactly the jars the image ships
#   updates.txt  newer releases of each dependency, as Maven Central lists them
#   bom.json     a CycloneDX SBOM, for any vulnerability scanner (grype, trivy, dependency-track)
# It needs nothing but Maven Central, which the build needs anyway.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=target/dependency-report
mkdir -p "$out"
mvn_q() { ./mvnw -B -q --no-transfer-progress "$@"; }

mvn_q dependency:list -DincludeScope=runtime -DexcludeTransitive=false -Dsort=true \
  -DoutputFile="$out/runtime.txt"
mvn_q org.codehaus.mojo:versions-maven-plugin:2.19.1:display-dependency-updates -DprocessDependencyManagement=false \
  -Dversions.outputFile="$out/updates.txt" -Dversions.outputLineWidth=120
mvn_q org.cyclonedx:cyclonedx-maven-plugin:2.9.3:makeBom -DincludeTestScope=false \
  -DoutputDirectory="$out" -DoutputName=bom -DoutputFormat=json

echo "== runtime dependencies ($(grep -c ':jar:' "$out/runtime.txt"))"
grep ':jar:' "$out/runtime.txt" | sed 's/^ *//'
echo "== newer releases"
cat "$out/updates.txt"
echo "== SBOM: $out/bom.json"
