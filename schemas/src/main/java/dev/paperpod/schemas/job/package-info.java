@NullMarked
package dev.paperpod.schemas.job;

import org.jspecify.annotations.NullMarked;
