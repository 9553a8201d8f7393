package dev.prefixrouter.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.error.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

class AdmissionControlTest {

    private static AdmissionControl control(long budget, int maxWaiting, int maxConcurrent, Duration timeout) {
        return new AdmissionControl(new LimitsProperties(DataSize.ofMegabytes(16), DataSize.ofBytes(budget), timeout,
                maxWaiting, maxConcurrent, Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60)));
    }

    private static AdmissionControl.Permit admitNow(AdmissionControl control, long bytes) {
        return control.admit(bytes).block(Duration.ofSeconds(1));
    }

    @Test
    void requestsThatFitAreAdmittedAtOnceAndGiveTheirBytesBack() {
        AdmissionControl control = control(1000, 4, 0, Duration.ofSeconds(5));
        AdmissionControl.Permit a = admitNow(control, 600);
        AdmissionControl.Permit b = admitNow(control, 400);
        assertThat(control.usage().bufferedBytes()).isEqualTo(1000);
        assertThat(control.usage().active()).isEqualTo(2);
        a.release();
        a.release(); // idempotent
        assertThat(control.usage().bufferedBytes()).isEqualTo(400);
        b.release();
        assertThat(control.usage()).extracting(AdmissionControl.Usage::bufferedBytes, AdmissionControl.Usage::active)
                .containsExactly(0L, 0);
        assertThat(control.usage().admitted()).isEqualTo(2);
    }

    @Test
    void aRequestThatDoesNotFitWaitsItsTurnFirstComeFirstServed() {
        AdmissionControl control = control(1000, 4, 0, Duration.ofSeconds(5));
        AdmissionControl.Permit held = admitNow(control, 900);
        List<String> order = new ArrayList<>();
        List<AdmissionControl.Permit> granted = new ArrayList<>();
        Disposable big = control.admit(800).subscribe(p -> {
            order.add("big");
            granted.add(p);
        });
        Disposable small = control.admit(50).subscribe(p -> {
            order.add("small");
            granted.add(p);
        });
        assertThat(order).as("a small request that fits still queues behind a waiting one").isEmpty();
        assertThat(control.usage().waiting()).isEqualTo(2);
        held.release();
        assertThat(order).containsExactly("big", "small");
        assertThat(control.usage().bufferedBytes()).isEqualTo(850);
        granted.forEach(AdmissionControl.Permit::release);
        big.dispose();
        small.dispose();
    }

    @Test
    void aFullWaitingLineIsRefusedAtOnceWith503AndRetryAfter() {
        AdmissionControl control = control(100, 1, 0, Duration.ofSeconds(5));
        admitNow(control, 100);
        Disposable waiting = control.admit(10).subscribe();
        StepVerifier.create(control.admit(10)).expectErrorSatisfies(error -> {
            ApiException refusal = (ApiException) error;
            assertThat(refusal.status().value()).isEqualTo(503);
            assertThat(refusal.code()).isEqualTo("overloaded");
            assertThat(refusal.retryAfter()).isEqualTo(Duration.ofSeconds(2));
            assertThat(refusal.getMessage()).contains("router.limits.max-waiting-requests");
        }).verify(Duration.ofSeconds(1));
        assertThat(control.usage().rejected()).containsEntry("queue_full", 1L);
        waiting.dispose();
    }

    @Test
    void waitingLongerThanTheTimeoutIsRefusedAndGivesItsPlaceBack() {
        AdmissionControl control = control(100, 4, 0, Duration.ofMillis(100));
        AdmissionControl.Permit held = admitNow(control, 60);
        StepVerifier.create(control.admit(80)).expectErrorSatisfies(error -> assertThat(error)
                .hasMessageContaining("router.limits.admission-timeout")).verify(Duration.ofSeconds(2));
        assertThat(control.usage().waiting()).isZero();
        assertThat(control.usage().rejected()).containsEntry("timeout", 1L);
        assertThat(admitNow(control, 40)).as("the timed-out request no longer blocks the line").isNotNull();
        held.release();
    }

    @Test
    void aWaiterThatLeavesLetsThoseBehindItIn() {
        AdmissionControl control = control(100, 4, 0, Duration.ofSeconds(5));
        admitNow(control, 50);
        Disposable big = control.admit(80).subscribe();
        List<AdmissionControl.Permit> small = new ArrayList<>();
        control.admit(30).subscribe(small::add);
        assertThat(small).isEmpty();
        big.dispose(); // the client went away
        assertThat(small).hasSize(1);
        assertThat(control.usage().waiting()).isZero();
        assertThat(control.usage().bufferedBytes()).isEqualTo(80);
    }

    @Test
    void aBodyLargerThanTheWholeBudgetIs413() {
        AdmissionControl control = control(100, 4, 0, Duration.ofSeconds(5));
        StepVerifier.create(control.admit(101)).expectErrorSatisfies(error -> {
            assertThat(((ApiException) error).status().value()).isEqualTo(413);
            assertThat(error).hasMessageContaining("router.limits.max-buffered-bytes");
        }).verify(Duration.ofSeconds(1));
        assertThat(control.usage().rejected()).containsEntry("too_large", 1L);
    }

    @Test
    void concurrentRequestsCanBeCappedToo() {
        AdmissionControl control = control(1000, 4, 2, Duration.ofSeconds(5));
        AdmissionControl.Permit a = admitNow(control, 1);
        admitNow(control, 1);
        List<AdmissionControl.Permit> third = new ArrayList<>();
        control.admit(1).subscribe(third::add);
        assertThat(third).isEmpty();
        a.release();
        assertThat(third).hasSize(1);
    }

    @Test
    void shrinkingGivesBytesBackButKeepsTheRequestsPlace() {
        AdmissionControl control = control(1000, 4, 1, Duration.ofSeconds(5));
        AdmissionControl.Permit permit = admitNow(control, 900);
        List<AdmissionControl.Permit> next = new ArrayList<>();
        control.admit(500).subscribe(next::add);
        permit.shrink(50); // the body went; its routing key stays with the request
        assertThat(control.usage().bufferedBytes()).isEqualTo(50);
        assertThat(next).as("max-concurrent-requests=1 still counts the shrunk request").isEmpty();
        permit.release();
        assertThat(next).hasSize(1);
        assertThat(control.usage().bufferedBytes()).isEqualTo(500);
    }

    @Test
    void aGrowingBodyTakesRoomOnlyIfItIsFreeNow() {
        AdmissionControl control = control(100, 4, 0, Duration.ofSeconds(5));
        AdmissionControl.Permit growing = admitNow(control, 10);
        assertThat(growing.tryGrow(80)).isTrue();
        assertThat(growing.tryGrow(20)).isFalse();
        assertThat(growing.bytes()).isEqualTo(90);
        growing.release();
        assertThat(control.usage().bufferedBytes()).isZero();
        assertThat(growing.tryGrow(1)).as("a released permit cannot grow").isFalse();
    }
}
