package io.distlock.sample.flashsale;

import io.distlock.core.LockAcquisitionException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * How a failed purchase is answered: 409 when sold out, 503 with {@code Retry-After} when the SKU's lock stayed
 * busy for the whole wait (or the write came too late, see {@link StaleWriteException}), 400 when the order has
 * no SKU (the lock key evaluated to null or empty).
 */
@RestControllerAdvice
class ShopErrors {

	@ExceptionHandler(SoldOutException.class)
	ProblemDetail soldOut(SoldOutException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
	}

	@ExceptionHandler({ LockAcquisitionException.class, StaleWriteException.class })
	ResponseEntity<ProblemDetail> busy(RuntimeException ex) {
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header("Retry-After", "1")
			.body(ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage()));
	}

	/** A key that evaluates to null or empty: the order has no SKU. */
	@ExceptionHandler(IllegalArgumentException.class)
	ProblemDetail badOrder(IllegalArgumentException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
	}
}
