package dev.userservice.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/** Earlier releases, as scripts/build-release.sh builds them from the commits CHANGELOG.md names. */
public final class Releases {
  private Releases() {
  }

  /** The release's jar (built once, in a git worktree, into target/releases/VERSION). */
  public static Path jar(String version) {
    Tools.Result built = Tools.run(Path.of("."), 900, "scripts/build-release.sh", version);
    assertThat(built.exitCode()).as(built.output()).isZero();
    return Path.of(built.output().lines().toList().getLast().trim());
  }
}
