package io.distlock.interceptor

import io.distlock.annotation.DistributedLocked
import io.distlock.annotation.WhenLocked
import io.distlock.autoconfigure.DistributedLockAutoConfiguration
import io.distlock.core.LockAcquisitionException
import io.distlock.core.LockHandle
import io.distlock.core.LockTemplate
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.collect
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.flowOf
import kotlinx.coroutines.flow.onCompletion
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.reactor.ReactorContext
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.springframework.boot.autoconfigure.AutoConfigurations
import org.springframework.boot.test.context.assertj.AssertableApplicationContext
import org.springframework.boot.test.context.runner.ApplicationContextRunner

/** The fencing token of the innermost lock of the running locked coroutine, from its Reactor context. */
suspend fun currentLock(): LockHandle =
	currentCoroutineContext()[ReactorContext]!!.context.get(LockHandle::class.java)

open class Shelf {

	@DistributedLocked(name = "shelf", key = "#id", waitTime = "5s")
	open suspend fun <T> borrow(id: String, work: suspend () -> T): T = work()

	@DistributedLocked(name = "shelf", key = "#id", waitTime = "5s")
	open suspend fun token(id: String): Long {
		delay(5)
		return currentLock().fencingToken()
	}

	@DistributedLocked(name = "shelf", key = "#id", waitTime = "5s")
	open fun titles(id: String, work: Flow<String>): Flow<String> = work

	@DistributedLocked(name = "shelf", key = "#id", waitTime = "0", whenLocked = WhenLocked.SKIP)
	open suspend fun skipped(id: String): String? = "ran"

	@DistributedLocked(name = "shelf", key = "#id", waitTime = "0", fallback = "cachedQuote")
	open suspend fun quote(id: String): String = "live $id"

	open suspend fun cachedQuote(id: String, ex: LockAcquisitionException): String = "cached $id"
}

open class NonNullSkip {

	@DistributedLocked(name = "n", whenLocked = WhenLocked.SKIP)
	open suspend fun value(): String = "x"
}

open class ClosedFunction {

	@DistributedLocked(name = "c")
	fun run() {
	}
}

/**
 * Kotlin `suspend` functions and `Flow` results are locked per call or collection, without blocking a
 * thread while they wait, released before the caller resumes, and on cancellation.
 */
class CoroutineLifecycleTest {

	private val runner = ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration::class.java))
		.withBean(Shelf::class.java)

	/** Returns Unit: JUnit runs only test methods that return nothing. */
	private fun run(test: (Shelf, LockTemplate) -> Unit) {
		runner.run { context: AssertableApplicationContext ->
			assertThat(context).hasNotFailed()
			test(context.getBean(Shelf::class.java), context.getBean(LockTemplate::class.java))
		}
	}

	@Test
	fun aSuspendFunctionRunsUnderTheLockAndReleasesItBeforeTheCallerResumes() = run { shelf, template ->
		runBlocking {
			val tokenInside = shelf.borrow("a") { OtherCaller.token(template, "shelf", "a") }
			assertThat(tokenInside).isPositive()
			assertThat(OtherCaller.canTake(template, "shelf", "a")).isTrue()
			val first = shelf.token("a")
			assertThat(shelf.token("a")).`as`("a new acquisition per call, read from the Reactor context")
				.isGreaterThan(first)
		}
	}

	@Test
	fun waitingSuspendsTheCoroutineWithoutBlockingItsThread() = run { shelf, template ->
		val other = OtherCaller.hold(template, "shelf", "b")
		runBlocking {
			// one thread runs both coroutines: a blocking wait would stall this one until the wait timed out
			val waiting = async { shelf.token("b") }
			delay(200)
			assertThat(waiting.isCompleted).isFalse()
			other.close()
			assertThat(withTimeout(10_000) { waiting.await() }).isPositive()
		}
	}

	@Test
	fun cancellingTheCoroutineReleases() = run { shelf, template ->
		runBlocking {
			val started = CompletableDeferred<Unit>()
			val job = launch {
				shelf.borrow("c") {
					started.complete(Unit)
					awaitCancellation()
				}
			}
			withTimeout(10_000) { started.await() }
			assertThat(OtherCaller.isHeld(template, "shelf", "c")).isTrue()
			job.cancelAndJoin()
		}
		OtherCaller.await("cancellation released the lock") { OtherCaller.canTake(template, "shelf", "c") }
	}

	@Test
	fun aFlowIsLockedPerCollection() = run { shelf, template ->
		val titles = shelf.titles("d", flow { emit(OtherCaller.isHeld(template, "shelf", "d").toString()) })
		assertThat(template.heldLocks()).`as`("nothing is taken before the flow is collected").isEmpty()
		runBlocking {
			assertThat(titles.toList()).containsExactly("true")
			assertThat(titles.toList()).`as`("collected again: locked again").containsExactly("true")
			var freeOnCompletion = false
			shelf.titles("d", flowOf("x")).onCompletion { freeOnCompletion = OtherCaller.canTake(template, "shelf", "d") }.collect()
			assertThat(freeOnCompletion).isTrue()
		}
	}

	@Test
	fun skipAndFallbackWorkForSuspendFunctions() = run { shelf, template ->
		OtherCaller.hold(template, "shelf", "e").use {
			runBlocking {
				assertThat(shelf.skipped("e")).isNull()
				assertThat(shelf.quote("e")).isEqualTo("cached e")
			}
		}
		runBlocking {
			assertThat(shelf.skipped("e")).isEqualTo("ran")
			assertThat(shelf.quote("e")).isEqualTo("live e")
		}
	}

	@Test
	fun skipOnANonNullableResultAndAFinalFunctionFailStartup() {
		ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration::class.java))
			.withBean(NonNullSkip::class.java)
			.run { context ->
				assertThat(StartupValidationTest.messages(context.startupFailure))
					.contains("NonNullSkip.value", "whenLocked = SKIP", "String is not nullable")
			}
		ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration::class.java))
			.withBean(ClosedFunction::class.java)
			.run { context ->
				assertThat(StartupValidationTest.messages(context.startupFailure))
					.contains("ClosedFunction.run", "is final", "open")
			}
	}
}
