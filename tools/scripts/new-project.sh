#!/usr/bin/env bash
# Lays out a Node project (lib or app) with the workspace's standard config files.
# usage: tools/scripts/new-project.sh libs/NAME "type:util,scope:shared"
set -euo pipefail
dir=$1; tags=$2; name=$(basename "$dir")
kind=$([[ $dir == apps/* ]] && echo application || echo library)
depth=../..
mkdir -p "$dir/src"
tagjson=$(echo "$tags" | sed 's/\([^,]*\)/"\1"/g')
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "$depth/node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "$kind",
  "tags": [$tagjson],
  "targets": {
    "lint": {},
    "typecheck": {},
    "test": {}
  }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "$depth/tsconfig.base.json",
  "files": [],
  "include": [],
  "references": [{ "path": "./tsconfig.lib.json" }, { "path": "./tsconfig.spec.json" }]
}
JSON
cat > "$dir/tsconfig.lib.json" <<JSON
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "outDir": "$depth/dist/out-tsc", "types": ["node"] },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts", "src/**/*.int-spec.ts", "src/**/*.contract.ts", "test/**/*"]
}
JSON
cat > "$dir/tsconfig.spec.json" <<JSON
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "outDir": "$depth/dist/out-tsc", "types": ["jest", "node"], "noEmit": true },
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
JSON
cat > "$dir/jest.config.cts" <<JSON
module.exports = {
  displayName: '$name',
  preset: '$depth/jest.preset.js',
  rootDir: '.',
  coverageDirectory: '$depth/coverage/$dir',
};
JSON
cat > "$dir/eslint.config.mjs" <<JSON
import baseConfig from '$depth/eslint.config.mjs';

export default [...baseConfig];
JSON
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
