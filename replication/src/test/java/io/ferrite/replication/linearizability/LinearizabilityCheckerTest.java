package io.ferrite.replication.linearizability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
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

    /**
     * The lossy nemesis's violation, in microseconds: client c0's CAS invoked 79 us before its earlier CAS with the
     * same expected value returned false, answered true 300 us later, though that value had been read, deleted and
     * overwritten 280 ms before. No order explains it, whatever the put's outcome: the checker was right. (The answer
     * was not the group's: the client completed that CAS with a released blocking request's end, see the client's
     * {@code RequestHandOffTest}.)
     */
    @Test
    void shouldRejectCasSucceedingOnAValueOverwrittenLongBeforeWhateverThePutsOutcome()
    {
        for (final long putReturned : new long[]{ 1_000, NEVER })
        {
            assertFalse(LinearizabilityChecker.check(List.of(
                Operation.write(0, "c0-758", 0, putReturned),
                Operation.read(1, "c0-758", 2_000, 3_000),
                Operation.delete(2, true, 10_000, 12_000),
                Operation.write(3, "c1-900", 13_000, 14_000),
                Operation.cas(4, "c0-758", "c0-780", false, 40_000, 294_079),
                Operation.cas(5, "c0-758", "c0-814", true, 294_000, 294_300)), null),
                "put returned at " + putReturned);
        }
    }

    @Test
    void shouldAcceptThatCasWhenThePutOfItsExpectedValueIsUnknownAndUnread()
    {
        assertTrue(LinearizabilityChecker.check(List.of(
            Operation.write(0, "c0-758", 0, NEVER),
            Operation.delete(2, false, 10_000, 12_000),
            Operation.write(3, "c1-900", 13_000, 14_000),
            Operation.cas(4, "c0-758", "c0-780", false, 40_000, 294_079),
            Operation.cas(5, "c0-758", "c0-814", true, 294_000, 294_300)), null),
            "an unacknowledged put may take effect late, between the two compare-and-sets");
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

    @Test
    void shouldModelDeleteOutcomes()
    {
        assertTrue(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.delete(1, true, 20, 30),
            Operation.read(2, null, 40, 50),
            Operation.delete(3, false, 60, 70)), null));
        assertFalse(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.delete(1, true, 20, 30),
            Operation.read(2, "a", 40, 50)), null), "a value read after its delete returned is a lost delete");
        assertFalse(LinearizabilityChecker.check(List.of(
            Operation.delete(0, true, 0, 10)), null), "nothing to delete in an absent register");
    }

    @Test
    void shouldModelPutIfAbsentAndReplace()
    {
        assertTrue(LinearizabilityChecker.check(List.of(
            Operation.replace(0, "x", false, 0, 10),
            Operation.putIfAbsent(1, "a", true, 20, 30),
            Operation.putIfAbsent(2, "b", false, 40, 50),
            Operation.replace(3, "c", true, 60, 70),
            Operation.read(4, "c", 80, 90)), null));
        assertFalse(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.putIfAbsent(1, "b", true, 20, 30)), null), "put-if-absent cannot store over a present value");
        assertFalse(LinearizabilityChecker.check(List.of(
            Operation.replace(0, "b", true, 0, 10)), null), "replace cannot store into an absent register");
        assertTrue(LinearizabilityChecker.check(List.of(
            Operation.putIfAbsent(0, "a", true, 0, NEVER),
            Operation.putIfAbsent(1, "b", true, 5, 10),
            Operation.read(2, "b", 20, 30)), null), "an unknown put-if-absent may lose to a concurrent one");
    }

    @Test
    void shouldModelTtlExpiryWindow()
    {
        assertTrue(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.expire(1, "a", 100, 110),
            Operation.read(2, "a", 20, 30),
            Operation.read(3, null, 120, 130)), null));
        assertFalse(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.expire(1, "a", 100, 110),
            Operation.read(2, "a", 120, 130)), null), "an entry read after its expiry window is never expired");
        assertFalse(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.expire(1, "a", 100, 110),
            Operation.read(2, null, 20, 30)), null), "an entry expired before its time");
        assertTrue(LinearizabilityChecker.check(List.of(
            Operation.write(0, "a", 0, 10),
            Operation.expire(1, "a", 100, 110),
            Operation.write(2, "b", 50, 60),
            Operation.read(3, "b", 120, 130)), null), "an expiry leaves a newer value alone");
    }
}
