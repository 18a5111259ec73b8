/**
 * The infrastructure of the embedded default, each piece a real server run as a child process: Kafka (KRaft,
 * from Kafka's own server jars), PostgreSQL (embedded binaries), Podman's API service. The launcher starts them
 * for {@code ./paperpod up}; integration tests start them once per test JVM.
 */
@NullMarked
package dev.paperpod.embedded;

import org.jspecify.annotations.NullMarked;
