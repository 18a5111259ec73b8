@NullMarked
package dev.paperpod.api.jobs;

import org.jspecify.annotations.NullMarked;
