#!/usr/bin/env bash
# Usage: terraform/scripts/image.sh ENV [--registry ID] [--git-revision [--allow-dirty]] [--force] [--dry-run]
#
# Builds the image from the top-level Dockerfile (linux/amd64, what Compute and Serverless Containers
# run) and pushes it as cr.yandex/<registry id>/<registry.repository>:<tag>, for ENV of conf/app.json.
#   tag          registry.image_tag of ENV: the tag Terraform deploys. --git-revision: the commit instead
#                (12 hex digits; refused on a tree with uncommitted changes unless --allow-dirty), e.g.
#                for CI builds; Terraform deploys it once registry.image_tag names it.
#   --registry   the registry id; default: terraform -chdir=terraform output -raw registry_id (the
#                directory must be initialised for ENV, see docs/deployment.md).
#   --force      push even if the tag already exists. Without it an existing tag is refused: a re-pushed
#                tag changes nothing Terraform sees, so the running service would keep the old image.
#   --dry-run    print the commands (one per line) instead of running them; needs no Docker.
# Log in first: `yc container registry configure-docker`, or in CI with a key of the image-pusher account:
#   docker login --username json_key --password-stdin cr.yandex < key.json
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "image: $*" >&2; exit 1; }

[[ $# -ge 1 && "$1" != -* ]] || usage
env_name="$1"
shift
registry="" git_revision=false allow_dirty=false force=false dry_run=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --registry) registry="${2:?--registry needs an id}"; shift 2 ;;
    --git-revision) git_revision=true; shift ;;
    --allow-dirty) allow_dirty=true; shift ;;
    --force) force=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    *) usage ;;
  esac
done
command -v jq >/dev/null || die "jq is not on PATH"

# The registry section as Terraform resolves it for ENV (the same resolution the runtime is deployed from).
resolved="$("$repo/terraform/scripts/resolve-config.sh" "$env_name")"
[[ "$(jq -r '.deployable.value' <<<"$resolved")" == true ]] ||
  die "environment \"$env_name\" has no backend section in conf/app.json, so it is never deployed; build locally with docker build ."
repository="$(jq -r '.sections.value.registry.repository' <<<"$resolved")"
tag="$(jq -r '.sections.value.registry.image_tag' <<<"$resolved")"

revision="$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null)" || die "$repo is not a git checkout"
if $git_revision; then
  if ! $allow_dirty && [[ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]]; then
    die "uncommitted changes: the image would not match revision $revision. Fix: commit them, or pass --allow-dirty"
  fi
  tag="$revision"
fi

if [[ -z "$registry" ]]; then
  registry="$(terraform -chdir="$repo/terraform" output -raw registry_id 2>/dev/null)" ||
    die "no --registry, and terraform output registry_id failed. Fix: pass --registry <id>, or init terraform/ for $env_name and apply (docs/deployment.md)"
fi
[[ "$registry" =~ ^[a-z0-9]{1,64}$ ]] || die "\"$registry\" is not a Container Registry id"

image="cr.yandex/$registry/$repository:$tag"

run() {
  if $dry_run; then
    printf '%q ' "$@" | sed 's/ $//'
    echo
  else
    "$@"
  fi
}

echo "image: $image (environment $env_name, revision $revision)" >&2
if ! $force && ! $dry_run && docker manifest inspect "$image" >/dev/null 2>&1; then
  die "$image already exists. Fix: raise registry.image_tag of $env_name in conf/app.json, or pass --force"
fi
run docker build --platform linux/amd64 \
  --label "org.opencontainers.image.revision=$revision" \
  --label "org.opencontainers.image.version=$tag" \
  --tag "$image" "$repo"
run docker push "$image"
if ! $dry_run; then
  echo "image: pushed $(docker inspect --format '{{index .RepoDigests 0}}' "$image")" >&2
fi
