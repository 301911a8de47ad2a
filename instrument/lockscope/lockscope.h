// lockscope/lockscope.h — everything a program needs: Mutex, RwLock,
// CondVar, AppCell<T> and SourceLocation. See each header for the contract.
#ifndef LOCKSCOPE_LOCKSCOPE_H_
#define LOCKSCOPE_LOCKSCOPE_H_

#include "lockscope/app_cell.h"
#include "lockscope/cond_var.h"
#include "lockscope/mutex.h"
#include "lockscope/rwlock.h"
#include "lockscope/source_location.h"

#endif  // LOCKSCOPE_LOCKSCOPE_H_
