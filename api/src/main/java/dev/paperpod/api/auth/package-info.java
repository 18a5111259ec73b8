@NullMarked
package dev.paperpod.api.auth;

import org.jspecify.annotations.NullMarked;
