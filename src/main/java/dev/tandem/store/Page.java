package dev.tandem.store;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a list, newest first: its items and the cursor that reads on after the last of them
 * ({@code null} when this page is the last).
 */
public record Page<T>(List<T> items, String next) {
  public Page {
    items = List.copyOf(items);
  }

  public <R> Page<R> map(Function<? super T, ? extends R> f) {
    return new Page<>(items.stream().<R>map(f).toList(), next);
  }
}
