package io.ferrite.replication.datastore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class LostWriteCheckerTest
{
    @Test
    void shouldPassWhenTheDatabaseHoldsTheLastAcknowledgedOrALaterUnknownWrite()
    {
        final LostWriteChecker checker = new LostWriteChecker();
        checker.acknowledged("a", "1");
        checker.acknowledged("a", "2");
        checker.acknowledged("b", "1");
        checker.unknown("b", "2");
        checker.unknown("c", "1");
        assertEquals(List.of(), checker.check(Map.of("a", "2", "b", "2")));
        assertEquals(List.of(), checker.check(Map.of("a", "2", "b", "1", "c", "1")));
    }

    @Test
    void shouldFailWhenAnAcknowledgedWriteIsMissingFromTheDatabase()
    {
        final LostWriteChecker checker = new LostWriteChecker();
        checker.acknowledged("a", "1");
        checker.acknowledged("a", "2");
        checker.acknowledged("b", "1");
        final Map<String, String> db = new HashMap<>(Map.of("a", "2", "b", "1"));
        assertEquals(List.of(), checker.check(db));
        db.put("a", "1");
        assertTrue(checker.check(db).get(0).contains("last acknowledged 2"), "an older value means a lost write");
        db.put("a", "2");
        db.remove("b");
        assertEquals(1, checker.check(db).size(), "a missing row means a lost write");
    }

    @Test
    void shouldFailWhenTheHistoryMissesAWriteTheDatabaseHolds()
    {
        final LostWriteChecker complete = new LostWriteChecker();
        complete.acknowledged("a", "1");
        complete.acknowledged("a", "2");
        final LostWriteChecker removed = new LostWriteChecker();
        removed.acknowledged("a", "1");
        final Map<String, String> db = Map.of("a", "2");
        assertEquals(List.of(), complete.check(db));
        assertEquals(1, removed.check(db).size(), "with the last write removed from the history the check fails");
        assertEquals(1, complete.check(Map.of("a", "2", "z", "9")).size(), "a value nobody wrote is a violation");
    }
}
