package io.ferrite.replication.linearizability;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinearizabilityCheckerTest
{
    private static final long NEVER = Long.MAX_VALUE;

    @Test
    void shouldAcceptSequentialHistory()
    {
        assertTrue(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.read(1, "a", 20, 30),
            Operation.cas(2, "a", "b", true, 40, 50),
            Operation.read(3, "b", 60, 70)), null));
    }

    @Test
    void shouldAcceptConcurrentReadSeeingEitherValue()
    {
        assertTrue(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.write(1, "b", 20, 50),
            Operation.read(2, "a", 25, 30),
            Operation.read(3, "b", 35, 40)), null));
    }

    @Test
    void shouldRejectStaleRead()
    {
        assertFalse(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.write(1, "b", 20, 30),
            Operation.read(2, "a", 40, 50)), null),
            "a read invoked after write b returned must not see a");
    }

    @Test
    void shouldRejectReadsGoingBackInTime()
    {
        assertFalse(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.write(1, "b", 20, 100),
            Operation.read(2, "b", 30, 40),
            Operation.read(3, "a", 50, 60)), null),
            "once a read saw b, a later read must not see a");
    }

    @Test
    void shouldRejectImpossibleCasSuccess()
    {
        assertFalse(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.cas(1, "x", "y", true, 20, 30)), null));
    }

    @Test
    void shouldLetUnknownWriteTakeEffectLateOrNever()
    {
        assertTrue(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.write(1, "b", 20, NEVER),
            Operation.read(2, "a", 30, 40),
            Operation.read(3, "b", 50, 60)), null));
        assertTrue(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.write(1, "b", 20, NEVER),
            Operation.read(2, "a", 30, 40)), null));
        assertFalse(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.write(1, "b", 20, NEVER),
            Operation.read(2, "b", 30, 40),
            Operation.read(3, "a", 50, 60)), null),
            "an unknown write, once observed, stays in effect");
    }
}
