@NullMarked
package dev.paperpod.api.web;

import org.jspecify.annotations.NullMarked;
