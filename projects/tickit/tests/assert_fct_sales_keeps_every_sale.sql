-- the joins in fct_sales must not drop (or fan out) any sale

with staged as (

    select count(*) as staged from {{ ref('stg_tickit__sales') }}

),

in_mart as (

    select count(*) as in_mart from {{ ref('fct_sales') }}

)

select *
from staged
    cross join in_mart
where staged <> in_mart
