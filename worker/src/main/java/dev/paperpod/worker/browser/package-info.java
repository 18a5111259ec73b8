/**
 * Browser jobs: warm browser containers (Chromium behind playwright-core's server, {@code infra/sandbox/browser}),
 * driven with Playwright for Java, one fresh context per job.
 */
@NullMarked
package dev.paperpod.worker.browser;

import org.jspecify.annotations.NullMarked;
